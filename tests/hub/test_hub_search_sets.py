"""The sorted-id set operations behind PostgreSQL matching agree with numpy's own."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from wellbeing.hub.search.terms import intersect_sorted, union_sorted

ids = st.lists(st.integers(0, 300), max_size=80).map(lambda v: np.unique(np.array(v, np.int64)))


@given(a=ids, b=ids)
def test_intersecting_sorted_ids_equals_numpy(a, b):
    assert intersect_sorted(a, b).tolist() == np.intersect1d(a, b).tolist()


@given(arrays=st.lists(ids, max_size=4))
def test_the_union_of_sorted_ids_equals_numpy(arrays):
    expected = np.unique(np.concatenate(arrays)) if arrays else np.empty(0, np.int64)
    assert union_sorted(arrays).tolist() == expected.tolist()
