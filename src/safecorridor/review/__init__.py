"""Review: candidates proposed by the extractor become incidents, or merge into one."""
