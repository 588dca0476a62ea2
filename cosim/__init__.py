"""The MuJoCo body of brainmodel's brain-body co-simulation (DESIGN.md item 5).

- ``forelimb.xml``: our MJCF mouse forelimb (4 joints, 8 Hill-type muscles).
- ``protocol``: the spike <-> muscle protocol (PT spike counts to excitation; muscle stretch and
  velocity to spindle afferent spikes).
- ``body``: loading and checking an MJCF, stepping and sensing the limb, offscreen rendering.
- ``body_rank``: the MPI process that hosts the body and joins the brain ranks' spike exchange.
- ``plots``: the experiment's figures.
The experiment itself (forelimb area, PT cells, afferent synapses, the three runs) is
``brainmodel.experiments.cosim_forelimb``.
"""
