#!/usr/bin/env bash
# Run HERE (online machine, repo root) before lending a GPU machine: the GPU machine reaches no
# package registry and does not see ../shared, so this gathers, in two git-ignored folders that the
# device run carries (about 12 MB together):
#   .whl/       wheels the GPU image lacks: brian2 2.10.1, brian2cuda 1.0b1, pynrrd (its image
#               already holds numpy, scipy, matplotlib, h5py, sympy, jinja2, cython, nvidia-curand)
#   .gpu_data/  the data files the m1-gamma and motor-loop runs read, copied from BRAINMODEL_DATA
#               (a transfer copy only: never commit it; .gitignore lists it)
set -euo pipefail
data="${BRAINMODEL_DATA:?set BRAINMODEL_DATA to the data folder (../shared/data)}"
rm -rf .whl .gpu_data
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .whl brian2==2.10.1
python3 -m pip download -q --no-deps -d .whl brian2cuda==1.0b1 pynrrd==1.1.3
for f in allen_ccf_2017_annotation/annotation_100.nrrd \
         allen_structure_ontology/structure_graph_1.json \
         cell_densities/kim2017_mmc3_cell_densities_per_mm3.csv \
         knox2019_homogeneous_model/homogeneous-standard-model.csv \
         koelle2023_leaf_connectivity/thresholded/el_leafsurf_leafsmth_leafleaf_C57BL6J_080222.csv \
         layer_thickness/cerebellar_cortex_dbbs_canonical.csv \
         mcmodels_cortical_coordinates/dorsal_flatmap_paths_100.h5; do
    mkdir -p ".gpu_data/$(dirname "$f")"
    cp "$data/$f" ".gpu_data/$f"
done
du -sh .whl .gpu_data
echo "now: device run with carry [\".whl\", \".gpu_data\"] and command 'bash benchmarks/gpu_run.sh check' (or ensemble M W D)"
