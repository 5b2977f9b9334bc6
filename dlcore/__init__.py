"""The engine of the app: the talk's maths and models in plain Python and PyTorch (no Streamlit)."""
