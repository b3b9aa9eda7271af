"""Retrieval evaluation: gold questions, project-level runs, IR metrics, baselines, speed."""
