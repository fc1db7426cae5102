from shop_core.testing import nested_json, run_at_once


def test_run_at_once_returns_results_and_exceptions_in_order():
    def boom():
        raise ValueError("x")

    results = run_at_once([lambda: 1, boom, lambda: 3])
    assert results[0] == 1 and results[2] == 3
    assert isinstance(results[1], ValueError)


def test_nested_json_is_2_kb_at_depth_1000():
    assert len(nested_json()) == 2000
