"""What the tutor keeps on disk: locations, progress and caches."""
