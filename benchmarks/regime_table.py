"""The regime table of m1-gamma runs (issue 20): rest statistics and the DC's effect against the
rest control, one row per output folder, and the checks each row passes.

    python benchmarks/regime_table.py output/m1-gamma-seed1 output/m1-gamma-seed2 ...

Each folder is an m1-gamma output (summary.json with ``regime``, from ``python run.py``). The
old model's row (before issue 20) is the independent analysis quoted in the issue and the
regime probe's baseline (../shared/prototypes/regime_probe), measured on that model.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

# Old model (landed before issue 20; density 0.05, k = 0.05, seed 1): E ISI CV median 0.26,
# clock-like 60 % of active cells, FS p99 228 Hz, silent E 80 %, neighbourhood 30-50 Hz power
# with / without DC 1.30, DC-run peak 33.2 Hz at 16.6x the 10-100 Hz median (probe baseline row)
OLD_MODEL = {"run": "old model (seed 1, 0.05/0.05)", "E_cv": 0.26, "clock": 0.60,
             "FS_p99": 228.0, "E_silent": 0.80, "ratio": 1.30, "stim_peak_hz": 33.2,
             "stim_peak_to_median": 16.6}

CHECKS = {"E CV >= 0.7": lambda r: r["E_cv"] >= 0.7,
          "clock <= 10 %": lambda r: r["clock"] <= 0.10,
          "FS p99 <= 100": lambda r: r["FS_p99"] <= 100.0,
          "silent E <= 50 %": lambda r: r["E_silent"] <= 0.50,
          "rest peak/median < 3": lambda r: r["rest_peak_to_median"] < 3.0,
          "DC/rest >= 3": lambda r: r["ratio"] >= 3.0,
          "DC peak in 30-50, >= 3x": lambda r: (30 <= r["stim_peak_hz"] <= 50
                                               and r["stim_peak_to_median"] >= 3.0)}


def row(folder: Path) -> dict:
    summary = json.loads((folder / "summary.json").read_text())
    config = json.loads((folder / "config.json").read_text())
    reg = summary["regime"]
    rest, populations = reg["rest"], reg["rest"]["populations"]
    near = reg["groups"]["neighbourhood_without_driven"]
    layer_means = {name: populations[name]["mean_hz"] for name in populations
                   if not name.startswith("all ")}
    checks = summary["checks"].get("per_layer", {})
    return {"run": f"seed {config['seed']}, voxel {tuple(summary['stimulus']['voxel_ijk'])}, "
                   f"{config['density']:g}/{config['indegree_fraction']:g}",
            "E_cv": populations["all E"]["cv_median"],
            "clock": rest["clock_like"]["fraction_clock_like"],
            "FS_p99": populations["all FS"]["p99_hz"],
            "E_silent": populations["all E"]["fraction_silent"],
            "means": layer_means,
            "rest_peak_to_median": near["rest"]["gamma_peak_to_median"],
            "ratio": near["gamma_power_stimulus_over_rest"],
            "stim_peak_hz": near["stimulus"]["peak_frequency_hz"],
            "stim_peak_to_median": near["stimulus"]["gamma_peak_to_median"],
            "driven": reg["n_driven_cells"],
            "E_FS_45": [layer for layer, by_type in summary["gamma_phase"].items()
                        if {"E", "FS"} <= set(by_type) and abs(_wrapped(
                            by_type["FS"]["mean_phase_deg"] - by_type["E"]["mean_phase_deg"]))
                        <= 45.0],
            "LTS_later": [layer for layer, c in checks.items() if c.get("LTS_later_than_E_FS")],
            "depth": summary["checks"].get("E_phases_later_with_depth"),
            "lags": summary["checks"].get("E_phase_lag_vs_L2/3_deg", {})}


def _wrapped(degrees: float) -> float:
    return (degrees + 180.0) % 360.0 - 180.0


def _value(r, key, fmt):
    return format(r[key], fmt) if key in r and np.isfinite(r[key]) else "-"


def table(rows: list[dict]) -> str:
    head = ("| run | DC cells | E CV median | clock-like | FS p99 Hz | silent E | rest peak/median "
            "| DC/rest 30-50 Hz | DC peak Hz (x median) | E/FS within 45 deg | LTS later "
            "| E later with depth (lags L5A/L5B/L6) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lags = "/".join(f"{r['lags'][la]:.0f}" for la in ("L5A", "L5B", "L6")
                        if la in r.get("lags", {}))
        lines.append(
            f"| {r['run']} | {r.get('driven', '-')} | {_value(r, 'E_cv', '.2f')} | "
            f"{_value(r, 'clock', '.1%')} | {_value(r, 'FS_p99', '.0f')} | "
            f"{_value(r, 'E_silent', '.0%')} | {_value(r, 'rest_peak_to_median', '.1f')} | "
            f"{_value(r, 'ratio', '.2f')} | {_value(r, 'stim_peak_hz', '.0f')} "
            f"({_value(r, 'stim_peak_to_median', '.1f')}) | "
            f"{','.join(r.get('E_FS_45', [])) or '-'} | "
            f"{','.join(r.get('LTS_later', [])) or '-'} | "
            f"{r.get('depth', '-')} ({lags}) |")
    return "\n".join(lines)


def rate_table(rows: list[dict]) -> str:
    names = list(rows[0]["means"]) if rows else []
    lines = ["| run | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 1)]
    for r in rows:
        lines.append(f"| {r['run']} | " + " | ".join(f"{r['means'][n]:.2f}" for n in names) + " |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args(argv)
    rows = [row(f) for f in args.folders]
    print(table(rows + [OLD_MODEL]))
    print()
    print("Rest rates per layer and type (Hz, DC-driven cells excluded):")
    print(rate_table(rows))
    print()
    for name, check in CHECKS.items():
        passed = [r["run"] for r in rows if check(r)]
        print(f"{name}: {len(passed)}/{len(rows)}")


if __name__ == "__main__":
    main()
