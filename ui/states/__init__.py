"""The pages' state tables, one module per page: ``ui/states/<url_path>.py``.

Each declares a dataclass with ``PAGE: ClassVar[str]`` (the page's url path) and fields
made with ``codec.param``. They import no page script, so links to a page can be built
(``codec.link_to``) and its contract tests generated without running it.
"""
