"""translate-kit: Hindi-English machine translation, alignment and evaluation."""

__version__ = "0.1.0"
