"""Closed word lists that photo keywords and queries share: months, weekdays, colour names."""

# fmt: off
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
# fmt: on
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# the date keywords that tell of the light, not only of the calendar (describe.keywords.dates)
TIMES_OF_DAY = ("morning", "afternoon", "evening", "night")
# the names the colour keywords use (describe.keywords.colours has a prototype palette for each)
COLOUR_NAMES = (
    "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "beige",
    "black", "grey", "white",
)  # fmt: skip

# Scenery and stuff: words for what fills a photo or a good part of it, not what sits in one
# place of it. VAN looks for them across the regions rather than in the best one (a snowfield
# is snow in every cell; a pale wall in one cell is not). Issue 15's scene and material words
# and their near synonyms.
SPREAD_WORDS = frozenset(
    """sky cloud sunset sunrise dusk dawn night fog mist snow ice sea ocean lake water beach
    coast sand desert grass lawn meadow forest tree mountain rock stone gravel street road city
    town indoor wood brick""".split()
)

# Everyday words for what a photo shows that ImageNet-1k has no class for: places and
# landforms, stuff and materials, parts of buildings and streets, weather, a few common things
# (singular: the parser's tokens are). The parser reads them as visible things, not as the
# small towns some of them also name ("forest", "brick", "seaside") nor as unknown words, so
# that MTN leans on the picture for them. Written from the scene and material words of
# issue 15 and everyday photo vocabulary, not from any query set.
EVERYDAY_VISUAL_WORDS = frozenset(
    {
        # landscape and water
        "forest", "wood", "woods", "jungle", "park", "garden", "field", "meadow", "lawn",
        "grass", "moss", "leaf", "foliage", "bush", "hedge", "tree", "palm", "vineyard",
        "orchard", "farm", "countryside", "landscape", "scenery", "beach", "coast", "shore",
        "seaside", "sea", "ocean", "wave", "lake", "river", "stream", "creek", "waterfall",
        "pond", "water", "island", "bay", "lagoon", "marsh", "swamp", "mountain", "hill",
        "valley", "cliff", "canyon", "gorge", "cave", "desert", "dune", "glacier", "rock",
        "stone", "pebble", "gravel", "sand", "mud", "dirt", "soil", "snow", "ice", "frost",
        # sky and weather
        "sky", "cloud", "sun", "sunset", "sunrise", "dusk", "dawn", "sunshine", "moon",
        "star", "rain", "raindrop", "fog", "mist", "storm", "lightning", "rainbow", "shadow",
        # town and buildings
        "street", "road", "highway", "path", "trail", "sidewalk", "pavement", "crosswalk",
        "alley", "square", "city", "town", "village", "skyline", "downtown", "building",
        "architecture", "facade", "tower", "skyscraper", "house", "cottage", "cabin",
        "church", "cathedral", "temple", "castle", "palace", "ruin", "bridge", "harbour",
        "harbor", "port", "marina", "pier", "jetty", "dock", "market", "shop", "storefront",
        "cafe", "restaurant", "bar", "stadium", "playground", "railway", "station",
        "airport", "wall", "fence", "gate", "roof", "window", "door", "balcony", "porch",
        "stair", "staircase", "step", "graffiti", "mural", "statue", "sculpture", "fountain",
        "monument", "sign", "signpost", "lamp", "streetlight",
        # indoors
        "indoor", "interior", "room", "kitchen", "bedroom", "bathroom", "office", "hall",
        "corridor", "ceiling", "floor", "shelf", "table", "desk", "sofa", "bed", "chair",
        # stuff and materials
        "brick", "concrete", "metal", "steel", "rust", "glass", "plastic", "paper", "fabric",
        "wool", "leather", "marble", "tile", "plank", "timber", "bark", "texture", "pattern",
        # small things people photograph
        "coin", "flower", "petal", "blossom", "dandelion", "mushroom", "fruit", "vegetable",
        "bread", "cake", "food", "drink", "toy", "book", "handwriting", "text", "giraffe",
    }
)  # fmt: skip
