"""The production settings plus one bare DRF view, for comparing the ideas API against it."""

from townsquare.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
