"""The alliance intelligence hub: indicators, evidence, scoring, appeals and sharing."""
