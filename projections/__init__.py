"""Inter-region connectivity (connectome sources, pre/post cell-type rules, delays).

The single-area cortex of the foundation needs no inter-region projections; the connectome-driven
multi-region brain adds them here.
"""
