"""Where articles come from: JSON Lines files, outlets' feeds (sources.toml)."""
