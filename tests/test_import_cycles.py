"""Issue 21: the review views and their buttons import one way (admin/review.py → admin/review_actions.py).

The cycle review.py ↔ review_actions.py (the actions borrowed a URL helper from the views, the views imported
the actions inside a function to dodge it) is gone; this keeps it gone, lazy imports included (grimp reads
every import statement, wherever it sits)."""

import grimp


def test_review_actions_do_not_import_the_review_views():
    graph = grimp.build_graph("therapies")
    assert graph.find_shortest_chain(importer="therapies.admin.review_actions",
                                     imported="therapies.admin.review") is None
    assert graph.direct_import_exists(importer="therapies.admin.review", imported="therapies.admin.review_actions")
