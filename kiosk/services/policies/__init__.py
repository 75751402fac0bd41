"""Business-support policies (惠企政策): catalogue, search, matching (政策找人), the sheet."""
