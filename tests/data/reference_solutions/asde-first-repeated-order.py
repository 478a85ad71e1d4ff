def first_repeat(ids: list[str]) -> str | None:
    seen: set[str] = set()
    for order_id in ids:
        if order_id in seen:
            return order_id
        seen.add(order_id)
    return None
