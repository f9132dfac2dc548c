"""Spiders: the generic `notices` spider; registry sites are added by the spider loader."""
