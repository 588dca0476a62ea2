"""Inter-region connectivity (connectome sources, pre/post cell-type rules, delays).

``projections.connectome`` reads the regional matrices (Knox 2019 homogeneous model, Oh 2014)
from the data directory and the MCM voxel model when its files are present, and turns regional
weights into long-range pair probabilities with an explicit normalisation. The multi-region
builder that uses them is not written yet; the single-area cortex needs no projections.
"""
