"""GovHall: an online government service platform (互联网政务服务平台)."""

__version__ = "0.1.0"
