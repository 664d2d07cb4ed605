from .cmid_views import CMIDTwoViews
from .noise import RandomGaussianNoise

__all__ = ['CMIDTwoViews', 'RandomGaussianNoise']
