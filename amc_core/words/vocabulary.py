"""Closed word lists that photo keywords and queries share: months, weekdays, colour names."""

# fmt: off
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
# fmt: on
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# the names the colour keywords use (describe.keywords.colours has a prototype palette for each)
COLOUR_NAMES = (
    "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "beige",
    "black", "grey", "white",
)  # fmt: skip
