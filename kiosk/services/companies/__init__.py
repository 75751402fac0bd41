"""A unit's company list (联系企业清单): finding companies, their profiles and their moves."""
