"""The skill taxonomy: canonical skills in a tree, with aliases, lookup and autocomplete."""
