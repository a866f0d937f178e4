"""Stories: which articles report the same event (one happening), grouped as they arrive."""

from ranknews.stories.cluster import ClusterItem, StoryClusterer, cluster_stream
from ranknews.stories.signals import Signals, signals_from

__all__ = ["ClusterItem", "Signals", "StoryClusterer", "cluster_stream", "signals_from"]
