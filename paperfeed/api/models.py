"""The API app has no models of its own: the rate-limit counter it used to keep moved to
paperfeed/accounts (models.RateCounter, ratelimit.py), where the website counts with it too; its
table is still `api_ratecounter` (see the migrations)."""
