"""Embeddings, vector search that matches resumes to jobs, and grounded LLM help."""
