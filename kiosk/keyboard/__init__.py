"""The on-screen keyboard: the pinyin index and its lookups."""
