"""Build photos.json, metadata.json, queries.json, split.json for data/devset (one-off tool)."""
import hashlib
import json
import math
from datetime import datetime
from pathlib import Path

OUT = Path('/work/main/data/devset')
base = json.load(open('/tmp/devset-work/photos_nodesc.json'))
IDS = [p['id'] for p in base]

DESC = {
 'dv001': 'Studio portrait of a smiling woman astronaut (Eileen Collins) in an orange flight suit holding a white helmet; US flag and a space shuttle model behind her.',
 'dv002': 'Close-up of the face of a tabby cat with green eyes (Chelsea).',
 'dv003': 'Espresso in a red-brown cup on a matching saucer with a spoon, on a wooden table, seen from above.',
 'dv004': 'Falcon 9 rocket standing on its launch pad at dusk between lightning towers, lights glowing, deep blue sky.',
 'dv005': 'Red motorcycle (Yamaha) parked in a garage workshop in front of shelves with boxes and a wooden bench.',
 'dv006': 'Black-and-white: a man in a dark coat filming with a camera on a tripod on a lawn, domed and tall buildings behind.',
 'dv007': 'Black-and-white: 24 ancient silver coins laid out in rows on a dark background.',
 'dv008': 'Greyscale texture: close-up of a brick pavement of long narrow bricks with light joints.',
 'dv009': 'Greyscale texture: close-up of lawn grass with small clover leaves.',
 'dv010': 'Greyscale texture: close-up of gravel / small stones.',
 'dv011': 'Greyscale photo of a printed page: heading "Region-based segmentation", a paragraph of text and a line of code.',
 'dv012': 'Greyscale close-up, at an angle, of handwritten mathematical formulas on ruled paper.',
 'dv013': 'Hubble deep field: thousands of small colourful galaxies on black space.',
 'dv014': 'Chinese pagoda-style tower (red, green and gold, Summer Palace, Beijing) above trees, with a hazy lake behind.',
 'dv015': 'Orange dahlia flower in close-up against a blurred dark green background, a second bloom below.',
 'dv016': 'Official portrait of an elderly woman naval officer (Grace Hopper) in dark uniform, cap and glasses, US flag behind.',
 'dv017': 'A quokka (small furry marsupial) standing up and looking into the camera on sandy ground, dark green wall behind.',
 'dv018': 'City street in sunshine: a blue electric city bus ("cero emisiones") and two men walking on the pavement, old buildings behind.',
 'dv019': 'Raccoon face peering out between green palm-like leaves.',
 'dv020': 'Greyscale, looking up: people climbing the stairs of an open steel stair tower.',
 'dv021': 'Dog sitting on a wooden porch next to a red road bicycle; a white pickup truck parked on the street behind.',
 'dv022': 'Young bald eagle standing on a dark shore at the edge of the water.',
 'dv023': 'Giraffe bending its head down towards a zebra among green trees and grass.',
 'dv024': 'Herd of horses (white, brown, grey) on a dry grassy plain, snowy mountains and cloudy sky behind.',
 'dv025': 'Beach with brown waves: kitesurfers and their kites under a cloudy sky, children walking at the water\'s edge.',
 'dv026': 'Person in a blue jacket and knitted hat on dry grassland with a black dog sniffing the ground and a white horse grazing; hills behind.',
 'dv027': 'View between the white steel cables of a bridge: blue sky with clouds over a wide estuary or tidal flats.',
 'dv028': 'Dragonfly perched on a twig in front of green leaves and blue sky.',
 'dv029': 'Half a fresh fig in an orange-red teardrop-shaped bowl on grey concrete, seen from above.',
 'dv030': 'Close-up of colourful paintbrushes (blue, turquoise, pink, yellow-green bristles) standing in a pot.',
 'dv031': 'Living-room corner: a bottle and a glass of red wine and a coffee grinder on a pallet table, a djembe drum on a beanbag, a loudspeaker.',
 'dv032': 'Rocky mountain ridge above an orange autumn larch forest and a green meadow (Aitzgorri, Basque Country).',
 'dv033': 'Carved wooden bird with spread wings hanging under a ceiling lamp with glowing white globes.',
 'dv034': 'Two brown cocker spaniels looking out of the window of a white wooden house.',
 'dv035': 'Close-up, at an angle, of a white wall clock with black hands, lit green-yellow from behind.',
 'dv036': 'Small stream with cascades running between grey rocks in a green forest.',
 'dv037': 'Grey limestone mountains with snow patches under blue sky and a white cloud; grassy slope with an eroded trail and scattered white rocks (Picos de Europa).',
 'dv038': 'Dandelion seed heads in a meadow backlit by the low sun.',
 'dv039': 'Sun setting over mountain ranges seen from a summit, lens flare, a stone survey pillar in the foreground.',
 'dv040': 'Nuthatch (small bird) clinging head-down to a tree trunk, blurred background.',
 'dv041': 'Macro of a water drop splashing into water, forming a crown, blue-grey tones.',
 'dv042': 'Macro of a bright green backlit leaf with parallel veins.',
 'dv043': 'Golden dune grass in the wind with blue sea and sky behind.',
 'dv044': 'Macro of the petals of an orange-red flower.',
 'dv045': 'Red and yellow marigold flower against a blurred green and orange background.',
 'dv046': 'Close-up of fresh bright green grass blades.',
 'dv047': 'Ladybird on a grass stem among small blue forget-me-not flowers.',
 'dv048': 'Water droplets on green leaves after rain.',
 'dv049': 'Dark storm clouds over flat land, with a motion-blurred road and guardrail in the foreground.',
 'dv050': 'Two dandelion seeds on a seed head against a blurred orange flower.',
 'dv051': 'Close-up of weathered pale wooden boards (decking), shallow depth of field.',
 'dv052': 'Macro of a yellow daisy-like flower (petals and centre) on a dark background.',
 'dv053': 'Wooden boardwalk planks by a lake, sparkling water and trees behind, faded blue-yellow tones.',
 'dv054': 'Black-and-white: a wooden jetty leading into a foggy lake, a ladder at its end.',
 'dv055': 'Many plastic cups seen from above, in blue, purple and red.',
 'dv056': 'Misty blue lake at dusk, silhouettes of wooded islands reflected in still water.',
 'dv057': 'Wooden rowing boats pulled up on a pebble lake shore at sunset, hills and dramatic clouds (HDR).',
 'dv058': 'Fallen brown maple leaf on the ground among blurred yellow and red autumn leaves.',
 'dv059': 'Black-and-white abstract architecture: curving bands of a modern building facade.',
 'dv060': 'Rainbow-coloured kite flying in a deep blue sky with white clouds.',
 'dv061': 'Moss seen from above (star-shaped green shoots), one orange shoot standing out.',
 'dv062': 'Footpath through a dark green spruce forest with mossy ground.',
 'dv063': 'Calm lake at dawn under a pink and purple sky, reeds and a distant wooded shore.',
 'dv064': 'Potted plant with long green leaves in a brown pot with a blue clothes peg, boxes around it.',
 'dv065': 'Aerial view of a town: apartment blocks, roads, a river and lakes, forest.',
 'dv066': 'Aloe plant in a terracotta pot in front of a patterned fabric.',
 'dv067': 'Red apple on a table in front of a green background, a pencil below (old scan).',
 'dv068': 'Greyscale: two men in an office corridor throwing a basketball to each other.',
 'dv069': 'Close-up of a green electronic circuit board with chips and capacitors.',
 'dv070': 'Greyscale: boxes of food (Bastoncini, basmati rice) in a plastic bag on a chair.',
 'dv071': 'Modern multi-storey hotel or office building with a porch entrance, lawn and trees.',
 'dv072': 'Black-and-white swallowtail butterfly with spread wings on a striped green leaf.',
 'dv073': 'Small long-haired brown dog with its tongue out, close-up.',
 'dv074': 'Close-up of a black notebook with a lime-green elastic band.',
 'dv075': 'Cut fruit close-up: halved orange, lemon, lime and kiwi, with red cabbage behind.',
 'dv076': 'Colourful graffiti on a wall: a cartoon character with a rooster.',
 'dv077': 'Ornate yellow palace with towers against a blue sky with clouds, birds flying.',
 'dv078': 'Cobbled lane between old red-brick houses under an overcast sky (a beguinage).',
 'dv079': 'Motion-blurred rear of a silver car with brake lights on and its licence plate.',
 'dv080': 'Orange (the fruit) on a table in front of a green background (old scan).',
 'dv081': 'Toys and objects: a wooden lattice, orange foam letters, a green rubber whale, shells, striped cloth.',
 'dv082': 'Colourful sugar-coated chocolate sweets (red, green, blue, orange, brown) on white.',
 'dv083': 'Red squirrel eating on a tree branch, green leaves behind.',
 'dv084': 'Objects on a grey table seen from above: a pencil, a pink lighter, a coin, a white ball, a black lid.',
 'dv085': 'European robin perched on a handle, blurred background.',
 'dv086': 'Lake under a blue sky with wooded hills and shores.',
 'dv087': 'A single large tree, still almost bare, on a green meadow with small yellow flowers under a blue sky with clouds.',
 'dv088': 'Red-brick house with white gutters and a chimney under a blue sky.',
 'dv089': 'Close-up of a monarch butterfly wing (orange-yellow with black veins) on pink flowers.',
 'dv090': 'Street sign "NOTICE DOUBLE PARKING PROHIBITED AT ALL TIMES" on a pole, a newspaper box, passers-by and a parked silver car.',
 'dv091': 'Green direction sign "Sports Centre, Wivenhoe Park, Conference Centre, Car Parks" under trees.',
 'dv092': 'Covered walkway with a "the copy centre" shop sign and hanging flower baskets.',
 'dv093': 'Yellow "GM 125" diesel generator behind a concrete block wall, palm trees behind.',
 'dv094': 'Yellow metal barriers with "NO PARKING" signs on a street pavement.',
 'dv095': 'Yellow building with blue trim, sign "priory galleries at the ship", a red car and a no-entry sign.',
 'dv096': 'Black shop sign "HOTEL" under window boxes of red geraniums.',
 'dv097': 'Blue shop sign "Stationery Box" over a shop entrance, flower boxes above.',
}
assert set(DESC) == set(IDS), set(IDS) ^ set(DESC)
TEST_FIXTURES = {'dv001': 'astronaut.jpg', 'dv002': 'chelsea_cat.jpg', 'dv003': 'coffee.jpg', 'dv004': 'rocket.jpg', 'dv021': 'dog_bicycle_truck.jpg'}
GREY = {'dv006', 'dv007', 'dv008', 'dv009', 'dv010', 'dv011', 'dv012', 'dv020', 'dv054', 'dv059', 'dv068', 'dv070'}

# ---------------------------------------------------------------- metadata
CITY = {  # name: (lat, lon, country code)
 'Paris': (48.8566, 2.3522, 'FR'), 'Tokyo': (35.6762, 139.6503, 'JP'), 'Berlin': (52.5200, 13.4050, 'DE'),
 'New York': (40.7128, -74.0060, 'US'), 'Sydney': (-33.8688, 151.2093, 'AU'), 'Rome': (41.9028, 12.4964, 'IT'),
 'Zermatt': (46.0207, 7.7491, 'CH'), 'Tampere': (61.4978, 23.7610, 'FI'), 'London': (51.5074, -0.1278, 'GB'),
}
CAM = {
 'canon80d': ('Canon', 'Canon EOS 80D'), 'canon5d': ('Canon', 'Canon EOS 5D Mark III'),
 'sony': ('SONY', 'ILCE-7M3'), 'iphone12': ('Apple', 'iPhone 12'), 'iphone14': ('Apple', 'iPhone 14 Pro'),
 'galaxys9': ('samsung', 'SM-G960F'), 'nikond750': ('NIKON CORPORATION', 'NIKON D750'),
 'nikond7100': ('NIKON CORPORATION', 'NIKON D7100'), 'fuji': ('FUJIFILM', 'X-T3'), 'pixel6': ('Google', 'Pixel 6'),
}
ALBUMS = [  # folder, city, camera, [(id, file name or None, datetime)]
 ('Holidays/Paris 2019', 'Paris', 'canon80d', [
   ('dv003', 'IMG_4398.JPG', '2019-07-12T08:15:40'), ('dv002', 'IMG_4410.JPG', '2019-07-13T09:41:12'),
   ('dv078', 'IMG_4452.JPG', '2019-07-14T17:30:05'), ('dv077', 'IMG_4470.JPG', '2019-07-15T11:02:51'),
   ('dv015', 'IMG_4488.JPG', '2019-07-16T10:20:33'), ('dv095', 'IMG_4501.JPG', '2019-07-17T15:45:18')]),
 ('Holidays/Tokyo 2018', 'Tokyo', 'sony', [
   ('dv014', 'DSC01207.JPG', '2018-04-02T10:12:09'), ('dv018', 'DSC01233.JPG', '2018-04-03T13:25:44'),
   ('dv082', 'DSC01260.JPG', '2018-04-04T16:05:12'), ('dv092', 'DSC01288.JPG', '2018-04-05T11:48:30'),
   ('dv055', 'DSC01301.JPG', '2018-04-06T19:22:07'), ('dv069', 'DSC01315.JPG', '2018-04-07T14:40:55')]),
 ('Family/Grandma 80th', 'Berlin', 'iphone12', [
   ('dv016', 'grandma.jpg', '2021-03-14T15:02:11'), ('dv029', 'birthday cake.jpg', '2021-03-14T15:40:27'),
   ('dv031', 'IMG_0705.JPG', '2021-03-14T18:12:45'), ('dv073', 'IMG_0712.JPG', '2021-03-14T16:55:03'),
   ('dv045', 'flowers for grandma.jpg', '2021-03-14T14:31:50')]),
 ('Phone/DCIM/Camera', 'New York', 'galaxys9', [
   ('dv021', 'IMG_20180714_093012.jpg', '2018-07-14T09:30:12'), ('dv090', 'IMG_20180721_124508.jpg', '2018-07-21T12:45:08'),
   ('dv034', 'IMG_20180803_171533.jpg', '2018-08-03T17:15:33'), ('dv088', 'IMG_20181006_110247.jpg', '2018-10-06T11:02:47'),
   ('dv064', 'IMG_20190115_083921.jpg', '2019-01-15T08:39:21'), ('dv079', 'IMG_20191224_180544.jpg', '2019-12-24T18:05:44')]),
 ('Holidays/Sydney 2017', 'Sydney', 'canon5d', [
   ('dv025', 'IMG_1022.JPG', '2017-07-03T11:20:00'), ('dv060', 'IMG_1031.JPG', '2017-07-03T12:05:31'),
   ('dv043', 'IMG_1047.JPG', '2017-07-04T10:44:16'), ('dv017', 'IMG_1090.JPG', '2017-07-06T13:18:42'),
   ('dv022', 'IMG_1123.JPG', '2017-07-08T08:52:09'), ('dv019', 'IMG_1140.JPG', '2017-07-09T20:14:38')]),
 ('Holidays/Rome 2016', 'Rome', 'nikond750', [
   ('dv007', 'DSC_3310.JPG', '2016-08-10T11:30:14'), ('dv005', 'DSC_3342.JPG', '2016-08-11T09:12:50'),
   ('dv076', 'DSC_3375.JPG', '2016-08-12T16:48:02'), ('dv093', 'DSC_3391.JPG', '2016-08-13T12:20:45'),
   ('dv094', 'DSC_3402.JPG', '2016-08-14T18:03:27')]),
 ('Trips/Alps hiking 2020', 'Zermatt', 'fuji', [
   ('dv062', 'DSCF5501.JPG', '2020-09-05T09:10:02'), ('dv036', 'DSCF5518.JPG', '2020-09-05T11:35:48'),
   ('dv037', 'DSCF5560.JPG', '2020-09-07T10:22:19'), ('dv032', 'DSCF5587.JPG', '2020-09-08T14:06:33'),
   ('dv024', 'DSCF5612.JPG', '2020-09-10T15:41:07'), ('dv039', 'DSCF5640.JPG', '2020-09-11T19:38:56')]),
 ('Holidays/Lake cabin 2015', 'Tampere', 'nikond7100', [
   ('dv086', 'DSC_0811.JPG', '2015-06-18T13:02:44'), ('dv053', 'DSC_0830.JPG', '2015-06-19T10:15:20'),
   ('dv057', 'DSC_0852.JPG', '2015-06-20T20:47:09'), ('dv063', 'DSC_0874.JPG', '2015-06-21T01:12:35'),
   ('dv056', 'DSC_0880.JPG', '2015-06-21T03:55:02'), ('dv054', 'DSC_0899.JPG', '2015-06-22T06:31:47'),
   ('dv038', 'DSC_0915.JPG', '2015-06-23T21:20:13')]),
 ('Garden/2022', 'London', 'pixel6', [
   ('dv047', 'PXL_20220507_101512345.jpg', '2022-05-07T10:15:12'), ('dv048', 'PXL_20220507_101944871.jpg', '2022-05-07T10:19:44'),
   ('dv052', 'PXL_20220514_163302110.jpg', '2022-05-14T16:33:02'), ('dv044', 'PXL_20220521_120540902.jpg', '2022-05-21T12:05:40'),
   ('dv042', 'PXL_20220528_094418337.jpg', '2022-05-28T09:44:18'), ('dv066', 'PXL_20220529_175009456.jpg', '2022-05-29T17:50:09')]),
 ('Work/Conference Berlin 2023', 'Berlin', 'iphone14', [
   ('dv011', 'IMG_5521.JPG', '2023-11-07T10:05:31'), ('dv012', 'whiteboard.jpg', '2023-11-07T15:48:12'),
   ('dv070', 'lunch.jpg', '2023-11-08T12:31:40'), ('dv068', 'IMG_5560.JPG', '2023-11-08T18:22:03')]),
]


def jitter(pid, scale_km=2.5):
    h = hashlib.sha256(pid.encode()).digest()
    dx = (h[0] / 255 - 0.5) * 2 * scale_km
    dy = (h[1] / 255 - 0.5) * 2 * scale_km
    return dx, dy


meta = {}
for folder, city, cam, items in ALBUMS:
    lat0, lon0, cc = CITY[city]
    make, model = CAM[cam]
    for pid, fname, dt in items:
        assert pid in DESC and pid not in meta, pid
        dx, dy = jitter(pid)
        lat = round(lat0 + dy / 111.0, 5)
        lon = round(lon0 + dx / (111.0 * math.cos(math.radians(lat0))), 5)
        meta[pid] = {'path': f'{folder}/{fname}', 'datetime_original': dt, 'gps': {'lat': lat, 'lon': lon},
                     'make': make, 'model': model,
                     'truth': {'city': city, 'country': cc, 'album': folder}}
print('with metadata', len(meta), 'of', len(IDS), f'{len(meta)/len(IDS):.0%}')


def season(pid):
    m = meta.get(pid)
    if not m:
        return None
    mon = int(m['datetime_original'][5:7])
    north = ['winter', 'winter', 'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter'][mon - 1]
    if m['gps']['lat'] < 0:
        north = {'winter': 'summer', 'summer': 'winter', 'spring': 'autumn', 'autumn': 'spring'}[north]
    return north


MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']


def M(pred):
    return {pid for pid, m in meta.items() if pred(pid, m)}


def city(*c):
    return M(lambda p, m: m['truth']['city'] in c)


def country(cc):
    return M(lambda p, m: m['truth']['country'] == cc)


def year(y):
    return M(lambda p, m: m['datetime_original'].startswith(str(y)))


def month(name):
    k = MONTHS.index(name) + 1
    return M(lambda p, m: int(m['datetime_original'][5:7]) == k)


def seas(s):
    return {p for p in meta if season(p) == s}


def folder(sub):
    return M(lambda p, m: sub.lower() in m['path'].lower().rsplit('/', 1)[0])


def fname(sub):
    return M(lambda p, m: sub.lower() in m['path'].lower().rsplit('/', 1)[1])


def make(mk):
    return M(lambda p, m: mk.lower() in (m['make'] + ' ' + m['model']).lower())


def hour(lo, hi):
    return M(lambda p, m: lo <= int(m['datetime_original'][11:13]) < hi)


# ---------------------------------------------------------------- visual judgments
def V(two='', one=''):
    d = {}
    for x in one.split():
        d['dv%03d' % int(x)] = 1
    for x in two.split():
        d['dv%03d' % int(x)] = 2
    for k in d:
        assert k in DESC, k
    return d


GREY_S = ' '.join(str(int(p[2:])) for p in sorted(GREY))
FLOWER = V('15 44 45 52', '47 96 97 92 38 50 89')
VIS = [
 ('cat', V('2')), ('kitty', V('2')), ('dog', V('21 34 73 26')), ('puppy', V('73', '21 34 26')), ('dog on a porch', V('21', '34 73 26')),
 ('two dogs', V('34', '21 73 26')), ('dog looking out of a window', V('34', '21 73')),
 ('bicycle', V('21')), ('bike', V('21', '5')), ('motorcycle', V('5')), ('pickup truck', V('', '21')), ('car', V('79', '90 95 21')), ('automobile', V('79', '90 95 21')),
 ('red car', V('95')), ('license plate', V('79')),
 ('bus', V('18')), ('rocket', V('4', '1')), ('space', V('13', '4 1')), ('starry sky', V('13', '4')), ('astronaut', V('1')), ('woman in uniform', V('16', '1')), ('elderly lady', V('16')), ('portrait', V('1 16', '6')), ('photographer with a tripod', V('6')), ('people walking in the street', V('18', '90')),
 ('people', V('1 6 16 18 20 25 26 68 90')), ('person in a blue jacket', V('26', '25')),
 ('kids on the beach', V('25')), ('beach', V('25', '43')), ('seaside', V('25 43', '27')), ('kitesurfing', V('25', '60')), ('kite', V('60 25')), ('blue sky with clouds', V('60 27 87 37 86 77', '32 26 88 93')), ('cloudy sky', V('24 25 78 49 57', '26 32')),
 ('storm clouds', V('49', '24')), ('sunset', V('39 57', '63 38')), ('sunrise over a lake', V('63', '56 57')),
 ('lake', V('86 63 56 57 54', '53 14 65')), ('misty lake', V('54 56')), ('pier', V('54', '53 57')), ('wooden jetty', V('54 53')), ('rowing boats', V('57')), ('water', V('41 86 63 56 54 57 25 36', '22 53 48 43 14 27')),
 ('mountains', V('37 32 39', '24 26 57')), ('snowy mountains', V('37', '24')), ('snow', V('', '37 24')),
 ('autumn forest', V('32', '58')), ('autumn leaves', V('58', '32')), ('forest', V('62 36', '32')), ('path in the woods', V('62', '37')), ('hiking trail', V('62 37')), ('stream in the forest', V('36')), ('horse', V('24 26')), ('horses in a field', V('24', '26')),
 ('giraffe', V('23')), ('zebra', V('23')), ('eagle', V('22')), ('bird', V('22 85 40', '77 33')), ('robin', V('85')), ('squirrel', V('83')), ('raccoon', V('19')), ('quokka', V('17')), ('kangaroo', V('', '17')),
 ('butterfly', V('72 89')), ('insect', V('28 47 72 89')),
 ('dragonfly', V('28')), ('ladybug', V('47')),
 ('flower', FLOWER), ('red flower', V('45 44', '96')), ('yellow flower', V('52', '45')),
 ('orange flower', V('15 44', '45')), ('blue flowers', V('47')), ('dandelion', V('38 50')),
 ('grass', V('46 9', '87 32 43 38')), ('meadow', V('87', '32 38 24 26 46')), ('green leaves', V('42 48', '28 83 19 64')),
 ('raindrops', V('48', '41')), ('moss', V('61')),
 ('tree', V('87', '40 83 62')), ('potted plant', V('64 66')), ('aloe vera', V('66')),
 ('palm trees', V('93', '19')),
 ('espresso on a table', V('3')), ('coffee', V('3', '31')), ('cup', V('3 55')), ('wine', V('31')), ('living room', V('31')), ('fruit', V('75 67 80 29')), ('apple', V('67')), ('orange fruit', V('80 75')), ('fig', V('29')), ('red bowl', V('29')), ('candy', V('82')), ('sweets', V('82')),
 ('food', V('75 29', '3 67 80 82 70')), ('paintbrushes', V('30')), ('notebook', V('74', '12')),
 ('handwriting', V('12')), ('printed text', V('11', '12')),
 ('street sign', V('90 91 94', '92 95 96 97')), ('no parking', V('94 90')), ('hotel', V('96', '71')), ('shop front', V('97 95', '92 96')), ('stationery shop', V('97')),
 ('generator', V('93')),
 ('graffiti', V('76')), ('street art', V('76')),
 ('brick wall', V('8 88', '78 93')), ('red brick house', V('88 78')), ('cobblestone street', V('78')),
 ('palace', V('77', '14')), ('pagoda', V('14')), ('tower', V('14', '77 20')),
 ('office building', V('71', '59')), ('architecture', V('59 77 14 71', '78 88 95')), ('city from above', V('65')),
 ('stairs', V('20')), ('yellow house', V('95 77')),
 ('black and white', V(GREY_S)), ('old coins', V('7', '84')), ('coins', V('7', '84')),
 ('gravel', V('10', '57')), ('wooden planks', V('51 53', '54')), ('circuit board', V('69')), ('clock', V('35')), ('lamp', V('33')),
 ('toys', V('81')), ('pencil', V('84', '67')), ('basketball', V('68')), ('road', V('49 94', '90 65 18')), ('highway', V('49')), ('green', V('42 46 61 62 48 69', '87 36 91')), ('pink sky', V('63')), ('night', V('4', '13 56 63')),
]

# ---------------------------------------------------------------- metadata-only queries
holidays = folder('Holidays/')
MET = [
 ('paris', city('Paris')), ('france', country('FR')), ('tokyo', city('Tokyo')), ('japan', country('JP')),
 ('sydney', city('Sydney')), ('australia', country('AU')), ('rome', city('Rome')), ('italy', country('IT')),
 ('berlin', city('Berlin')), ('germany', country('DE')), ('new york', city('New York')), ('usa', country('US')),
 ('london', city('London')), ('england', country('GB')), ('finland', country('FI')), ('switzerland', country('CH')), ('zermatt', city('Zermatt')),
 ('2015', year(2015)), ('2016', year(2016)), ('2017', year(2017)), ('2018', year(2018)), ('2019', year(2019)),
 ('2020', year(2020)), ('2021', year(2021)), ('2022', year(2022)), ('2023', year(2023)),
 ('july', month('july')), ('april', month('april')), ('august', month('august')), ('june', month('june')),
 ('march', month('march')), ('november', month('november')), ('september', month('september')), ('may', month('may')),
 ('december', month('december')), ('summer', seas('summer')), ('winter', seas('winter')), ('spring', seas('spring')), ('autumn', seas('autumn')),
 ('fall', seas('autumn')), ('christmas', M(lambda p, m: m['datetime_original'][5:10] in ('12-24', '12-25', '12-26'))),
 ('morning', hour(5, 12)), ('evening', hour(17, 21)),
 ('canon', make('canon')), ('nikon', make('nikon')), ('fujifilm', make('fujifilm')),
 ('iphone', make('iphone')), ('samsung', make('samsung')), ('holidays', holidays), ('vacation', holidays), ('grandma', folder('Grandma')), ('grandma birthday', folder('Grandma')),
 ('birthday cake', fname('birthday cake')),
 ('garden', folder('Garden')), ('conference', folder('Conference')), ('work', folder('Work/')),
 ('hiking', folder('hiking')), ('alps', folder('Alps')), ('lake cabin', folder('Lake cabin')),
 ('sydney winter', city('Sydney') & seas('winter')), ('summer 2018', year(2018) & seas('summer')),
 ('paris july 2019', city('Paris') & month('july') & year(2019)),
]
# grade-1 additions for metadata queries (visual evidence of the same thing, or a near match)
MET_EXTRA = {
 'holidays': {p: 1 for p in folder('Trips/')}, 'vacation': {p: 1 for p in folder('Trips/')},
 'birthday cake': {p: 1 for p in folder('Grandma') - fname('birthday cake')},
 'autumn': {'dv058': 1}, 'fall': {'dv058': 1},
}

# ---------------------------------------------------------------- combined
def vis(q):
    for qq, d in VIS:
        if qq == q:
            return d
    raise KeyError(q)


COMB = [
 ('cat in paris', vis('cat'), city('Paris')), ('coffee in paris', vis('coffee'), city('Paris')),
 ('paris street', V('78 18 95', '90 94'), city('Paris')), ('flowers paris', FLOWER, city('Paris')),
 ('yellow house paris', vis('yellow house'), city('Paris')), ('cobblestone street 2019', vis('cobblestone street'), year(2019)),
 ('dog summer 2018', vis('dog'), year(2018) & seas('summer')), ('dog new york', vis('dog'), city('New York')),
 ('street sign new york', vis('street sign'), city('New York')), ('samsung car', vis('car'), make('samsung')),
 ('plant winter', vis('potted plant'), seas('winter')),
 ('beach 2017', vis('beach'), year(2017)), ('beach sydney', vis('beach'), city('Sydney')),
 ('kite australia', vis('kite'), country('AU')), ('eagle 2017', vis('eagle'), year(2017)),
 ('raccoon australia', vis('raccoon'), country('AU')),
 ('bus tokyo', vis('bus'), city('Tokyo')), ('temple japan', V('14', '77'), country('JP')), ('candy japan', vis('candy'), country('JP')),
 ('rome motorbike', vis('motorcycle'), city('Rome')), ('graffiti rome', vis('graffiti'), city('Rome')),
 ('ancient coins italy', vis('old coins'), country('IT')),
 ('mountains 2020', vis('mountains'), year(2020)), ('alps sunset', vis('sunset'), folder('Alps')),
 ('forest switzerland', vis('forest'), country('CH')), ('horses switzerland', vis('horse'), country('CH')),
 ('snowy mountains september', vis('snowy mountains'), month('september')),
 ('lake 2015', vis('lake'), year(2015)), ('boats finland', vis('rowing boats'), country('FI')),
 ('misty lake june', vis('misty lake'), month('june')), ('dandelions finland', vis('dandelion'), country('FI')),
 ('sunset summer', vis('sunset'), seas('summer')),
 ('garden flowers 2022', FLOWER, year(2022)), ('ladybug london', vis('ladybug'), city('London')),
 ('raindrops may', vis('raindrops'), month('may')), ('red flower 2022', vis('red flower'), year(2022)),
 ('grandma flowers', FLOWER, folder('Grandma')), ('wine grandma birthday', vis('wine'), folder('Grandma')),
 ('grandma dog', vis('dog'), folder('Grandma')), ('old lady berlin', vis('elderly lady'), city('Berlin')),
 ('conference notes', V('11 12'), folder('Conference')), ('basketball berlin', vis('basketball'), city('Berlin')),
 ('canon cat', vis('cat'), make('canon')), ('iphone dog', vis('dog'), make('iphone')),
 ('nikon lake', vis('lake'), make('nikon')), ('espresso 2019', vis('espresso on a table'), year(2019)),
 ('circuit board tokyo', vis('circuit board'), city('Tokyo')),
]


def combine(v, m):
    out = {}
    for p in set(v) | set(m):
        g = v.get(p, 0)
        if g == 2 and p in m:
            out[p] = 2
        elif (g >= 1 and p in m) or g == 2 or p in m:
            out[p] = 1
    return out


queries = []
for q, d in VIS:
    queries.append({'query': q, 'kind': 'visual', 'relevant': d})
for q, s in MET:
    d = {p: 2 for p in s}
    for p, g in MET_EXTRA.get(q, {}).items():
        d.setdefault(p, g)
    queries.append({'query': q, 'kind': 'metadata', 'relevant': d})
for q, v, m in COMB:
    d = combine(v, m)
    assert any(g == 2 for g in d.values()), q
    queries.append({'query': q, 'kind': 'combined', 'relevant': d, 'parts': {'visual': v, 'metadata': sorted(m)}})

seen = set()
for qq in queries:
    assert qq['query'] not in seen, qq['query']
    seen.add(qq['query'])
    assert qq['relevant'], qq['query']
    assert qq['query'] == qq['query'].lower()
    qq['relevant'] = {k: qq['relevant'][k] for k in sorted(qq['relevant'])}
    if 'parts' in qq:
        qq['parts']['visual'] = {k: qq['parts']['visual'][k] for k in sorted(qq['parts']['visual'])}
for i, qq in enumerate(queries, 1):
    qq['id'] = 'q%03d' % i
queries = [{'id': q['id'], **{k: v for k, v in q.items() if k != 'id'}} for q in queries]

from collections import Counter
print(Counter(q['kind'] for q in queries), len(queries))

# ---------------------------------------------------------------- split
split = {'dev': [], 'test': []}
for kind in ('visual', 'metadata', 'combined'):
    qs = sorted((q for q in queries if q['kind'] == kind), key=lambda q: hashlib.sha256(('amc-devset-v1:' + q['query']).encode()).hexdigest())
    ndev = round(0.4 * len(qs))
    split['dev'] += [q['id'] for q in qs[:ndev]]
    split['test'] += [q['id'] for q in qs[ndev:]]
split['dev'].sort(); split['test'].sort()
print('dev', len(split['dev']), 'test', len(split['test']))

# ---------------------------------------------------------------- write
photos = []
for p in base:
    e = {'id': p['id'], 'source': p['source'], 'licence': p['licence'], 'description': DESC[p['id']],
         'original_size': p['original_size'], 'greyscale': p['id'] in GREY}
    if p['id'] in TEST_FIXTURES:
        e['also_test_fixture'] = 'tests/data/photos/' + TEST_FIXTURES[p['id']]
    photos.append(e)

OUT.joinpath('photos.json').write_text(json.dumps({
    'version': 1,
    'note': 'Real photos from registry packages, resized to longest side 640 px, JPEG q85, no EXIF. '
            'Rebuild with fetch_sources.py. Ids are neutral on purpose (dvNNN): file names must not leak content.',
    'photos': photos}, indent=1, ensure_ascii=False) + '\n')
OUT.joinpath('metadata.json').write_text(json.dumps({
    'version': 1,
    'note': 'Synthetic library metadata. build_library.materialise() writes each photo to <path> with EXIF '
            'DateTimeOriginal, GPS, Make, Model; photos not listed go to Unsorted/<id>.jpg without EXIF. '
            '"truth" is the ground truth for judging only: never feed it to a ranker (it must derive places from GPS).',
    'photos': {k: meta[k] for k in sorted(meta)}}, indent=1, ensure_ascii=False) + '\n')
OUT.joinpath('queries.json').write_text(json.dumps({
    'version': 1,
    'grades': {'2': 'clearly what the query asks for', '1': 'partially / related', '0': 'everything not listed'},
    'combined_rule': 'grade 2 = visual part clearly matches (2) AND metadata part matches; '
                     'grade 1 = only one part matches (visual 2, or metadata), or metadata matches with visual 1. '
                     '"parts" keeps both halves so other rules can be recomputed.',
    'queries': queries}, indent=1, ensure_ascii=False) + '\n')
OUT.joinpath('split.json').write_text(json.dumps({
    'version': 1,
    'rule': 'Tune (thresholds, weights, fine-tuning, model selection) ONLY on "dev". Report on "test"; never tune on it.',
    'method': 'per kind, queries sorted by sha256("amc-devset-v1:" + query); the first round(40%) are dev',
    'dev': split['dev'], 'test': split['test']}, indent=1) + '\n')
json.dump({'counts': Counter(q['kind'] for q in queries), 'split': {k: len(v) for k, v in split.items()},
           'dev_by_kind': Counter(next(q['kind'] for q in queries if q['id'] == i) for i in split['dev'])},
          open('/tmp/devset-work/stats.json', 'w'), indent=1)
