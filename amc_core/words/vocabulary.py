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
# Where a photo was taken and what it is made of: words people type for what they see, and
# every word the `scene` keyword source names (tests/test_scenes.py checks). ImageNet has no
# class for most of them, so without this list the query parser called "grass" an unknown word
# and "brick" a town, and MTN answered them mostly from keywords (issue 15). ("night" stays a
# date word for the parser: a photo's time of day is in its metadata too.)
SCENE_WORDS = (
    "sky", "cloud", "sunset", "sunrise", "night", "snow", "ice", "sea", "ocean", "beach", "sand",
    "coast", "shore", "water", "lake", "river", "waterfall", "grass", "meadow", "field",
    "tree", "forest", "wood", "leaf", "moss", "mountain", "hill", "valley", "desert", "rock",
    "stone", "gravel", "brick", "concrete", "fog", "rain", "street", "road", "city", "building",
    "house", "shop", "indoor", "outdoor", "landscape",
)  # fmt: skip
