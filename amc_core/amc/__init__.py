"""The AMC ranking model: query-guided attention over regions (VAN) and keywords (LAN),
weighed by the query's intent (MTN), on a fixed semantic bridge from ImageNet classes to words.
"""
