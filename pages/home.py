"""Home: the map of the talk, from X and y to gradient descent, with a card per concept."""

import streamlit as st

from ui import catalog, kit, shell

THE_IDEA = (
    ("Input", r"\mathbf{X}", "a set of examples: images, words, sounds"),
    ("Target", r"\mathbf{y}", "what we want: *hot dog* or *not hot dog*"),
    ("Prediction", r"f(\mathbf{X}) = \mathbf{y}'",
     "the black box: linear algebra, calculus, non-linearities"),
    ("Loss", r"L(\mathbf{y}', \mathbf{y})", "how wrong the prediction is"),
)


def main() -> None:
    """The home page: the whole idea on one screen, then a card per concept."""
    kit.page_title(
        "Deep Learning: Getting Started",
        "What this talk is about",
        "The talk by Jeremy Pinto, live: every idea on the slides is a page you can play with, "
        "with the maths next to the picture. Every view is a link: copy the address bar to share it.",
    )

    st.header("The whole idea on one screen")
    for col, (name, formula, meaning) in zip(st.columns(len(THE_IDEA)), THE_IDEA, strict=True):
        col.markdown(f"**{name}**")
        col.latex(formula)
        col.caption(meaning)

    st.markdown("**Learning** is tuning the parameters of *f* to make *L* small, one small step "
                "downhill at a time, with a learning rate ε:")
    st.latex(r"x' = x - \epsilon \, \nabla_x f(x)")

    st.header("The talk, concept by concept")
    available = catalog.available()
    if not available:
        st.info("No concept pages are installed yet.")
    per_row = 3 if kit.presenter() else 2
    for start in range(0, len(available), per_row):
        row = st.columns(per_row)
        for col, concept in zip(row, available[start:start + per_row], strict=False):
            with col.container(border=True):
                st.markdown(f"### {concept.icon} {concept.title}")
                st.caption(f"Slide: *{concept.slide}*")
                st.write(concept.blurb)
                st.page_link(shell.page(concept.url_path), label=f"Open {concept.title}", icon="➡️")
