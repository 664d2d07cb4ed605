"""cmid_mm/evaluation/seed_noise.py: the one rule for a gap beyond seed noise."""
import pytest

from cmid_mm.evaluation.seed_noise import beyond_noise, mean_std, noise_level


def test_mean_and_sample_std():
    assert mean_std([1., 3.]) == pytest.approx((2.0, 2 ** 0.5))
    assert mean_std([5.]) == (5.0, 0.0)


@pytest.mark.parametrize('a, b, expected', [
    ([10., 11.], [1., 2.], 1),        # gap 9 > 0.71 + 0.71
    ([1., 2.], [10., 11.], -1),
    ([1., 3.], [0., 1.], 0),          # gap 1.5 <= 1.41 + 0.71
    ([2., 2.], [1., 1.], 1),          # no spread at all: any gap counts
    ([2., 2.], [2., 2.], 0),
    ([3.], [1., 2.], None),           # one seed: no verdict
])
def test_beyond_noise(a, b, expected):
    assert beyond_noise(a, b) == expected


def test_noise_level_is_the_sum_of_the_stds():
    assert noise_level([1., 3.], [0., 1.]) == pytest.approx(2 ** 0.5 + 0.5 ** 0.5)
