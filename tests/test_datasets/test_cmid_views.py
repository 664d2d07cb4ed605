import numpy as np
import pytest
import torch

from cmid_mm.datasets import CMIDTwoViews
from cmid_mm.models import CMIDLocalHead, fill_masked_with_mean


def _views(img, **kwargs):
    return CMIDTwoViews(**kwargs)(dict(img=img))


def test_block_mask_has_exactly_the_official_ceil_count_of_blocks():
    np.random.seed(0)
    out = _views(np.zeros((300, 260, 3), np.uint8), img_size=224, mask_patch_size=32, mask_ratio=0.6)
    assert out['mask'].shape == (2, 7, 7)
    assert out['mask'].reshape(2, -1).sum(1).tolist() == [30, 30]  # ceil(0.6 * 49), official
    out = _views(np.zeros((300, 260, 3), np.uint8), mask_count_rounding='round')
    assert out['mask'].reshape(2, -1).sum(1).tolist() == [29, 29]  # round(29.4)
    out = _views(np.zeros((128, 128, 3), np.uint8), img_size=128, mask_patch_size=16, mask_ratio=0.4)
    assert out['mask'].reshape(2, -1).sum(1).tolist() == [26, 26]  # ceil(0.4 * 64) = 26
    assert not np.array_equal(*_views(np.zeros((224, 224, 3), np.uint8))['mask'])  # random


def test_image_smaller_than_img_size_is_an_error_naming_the_file_unless_allowed():
    small = dict(img=np.zeros((200, 300, 3), np.uint8), img_path='data/x/tiny.jpg')
    with pytest.raises(ValueError, match=r'data/x/tiny.jpg is 200x300 px, smaller than '
                                         r'img_size=224.*allow_upsample=True'):
        CMIDTwoViews()(dict(small))
    out = CMIDTwoViews(allow_upsample=True)(dict(small))
    assert [v.shape for v in out['img']] == [(224, 224, 3)] * 2


def test_masked_pixels_hold_the_image_mean_and_others_are_untouched():
    torch.manual_seed(0)
    images = torch.randn(2, 3, 64, 64)
    masks = torch.zeros(2, 2, 2)
    masks[0, 0, 1] = masks[1, 1, 0] = 1
    out = fill_masked_with_mean(images, masks)
    mean = images.mean(dim=(2, 3))
    torch.testing.assert_close(out[0, :, :32, 32:], mean[0, :, None, None].expand(3, 32, 32))
    torch.testing.assert_close(out[1, :, 32:, :32], mean[1, :, None, None].expand(3, 32, 32))
    visible = torch.ones(2, 64, 64, dtype=torch.bool)
    visible[0, :32, 32:] = visible[1, 32:, :32] = False
    assert torch.equal(out.permute(1, 0, 2, 3)[:, visible], images.permute(1, 0, 2, 3)[:, visible])


def test_outputs_for_n_bands_and_any_multiple_of_the_block_size():
    img = np.random.randint(0, 10000, (100, 120, 6)).astype(np.uint16)
    out = _views(img, img_size=96, mask_patch_size=32)
    assert [v.shape for v in out['img']] == [(96, 96, 6), (96, 96, 6)]
    assert out['img'][0].dtype == np.uint16
    assert out['mask'].shape == (2, 3, 3) and out['crop_boxes'].shape == (2, 6)


def test_full_crop_gives_the_whole_image_box():
    out = _views(np.zeros((224, 224, 3), np.uint8), crop_scale=(1., 1.), crop_ratio=(1., 1.),
                 hflip_prob=0.)
    np.testing.assert_array_equal(out['crop_boxes'], [[0, 0, 224, 224, 0, 0]] * 2)


@pytest.mark.parametrize('hflip,vflip', [(0., 0.), (1., 0.), (0., 1.), (1., 1.)])
def test_cell_centres_point_at_the_original_pixels_the_view_shows(hflip, vflip):
    """A planted coordinate image: every view pixel holds its own original (y, x)."""
    np.random.seed(1)
    size, grid = 224, 7
    ys, xs = np.meshgrid(np.arange(size) + 0.5, np.arange(size) + 0.5, indexing='ij')
    img = np.stack([ys, xs, np.zeros_like(ys)], -1).astype(np.float32)
    out = _views(img, img_size=size, hflip_prob=hflip, vflip_prob=vflip, crop_scale=(0.3, 0.6))
    boxes = torch.from_numpy(out['crop_boxes'])
    centres = CMIDLocalHead.cell_centers(boxes, (grid, grid), (size, size))
    for view, cells in zip(out['img'], centres):
        # a cell centre lies on a pixel corner: average the 4 pixels around it
        s = size // grid
        idx = (np.arange(grid) + 0.5) * s
        r, c = np.meshgrid(idx.astype(int), idx.astype(int), indexing='ij')
        seen = (view[r - 1, c - 1] + view[r - 1, c] + view[r, c - 1] + view[r, c]) / 4
        np.testing.assert_allclose(cells.numpy(), seen[..., :2].reshape(-1, 2), atol=1.0)


def test_views_get_their_own_photometric_pipeline():
    pipe2 = [dict(type='Solarize', thr=0, prob=1.)]  # inverts every pixel
    out = _views(np.full((64, 64, 3), 10, np.uint8), img_size=64, view_pipelines=[[], pipe2],
                 crop_scale=(1., 1.), crop_ratio=(1., 1.))
    assert out['img'][0].max() == 10 and out['img'][1].min() == 245


def test_bad_arguments_give_clear_errors():
    with pytest.raises(ValueError, match='img_size=200 must be a multiple of mask_patch_size=32'):
        CMIDTwoViews(img_size=200)
    with pytest.raises(ValueError, match='coord_mode'):
        CMIDTwoViews(coord_mode='fraction')
    with pytest.raises(ValueError, match="mask_count_rounding must be 'ceil' or 'round'"):
        CMIDTwoViews(mask_count_rounding='floor')
    crop = [dict(type='RandomCrop', crop_size=32)]
    with pytest.raises(ValueError, match='photometric only'):
        CMIDTwoViews(img_size=64, view_pipelines=[[], crop])(dict(img=np.zeros((64, 64, 3), np.uint8)))
