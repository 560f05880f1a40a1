"""The commands of `vinsgrad`, one module each; main.py registers them. A command never imports another."""
