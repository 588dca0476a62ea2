"""Inter-region connectivity (connectome sources, pre/post cell-type rules, delays).

``projections.connectome`` reads the regional matrices (Knox 2019 homogeneous model, Oh 2014)
from the data directory and the MCM voxel model when its files are present, and turns regional
weights into long-range pair probabilities with an explicit normalisation.
``projections.cortical`` builds the cortico-cortical projections between the selected areas and
hemispheres (the builder calls it when there is more than one).
"""
