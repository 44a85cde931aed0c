# exercise dags.1
def topological_order(edges:dict) -> list:
    "The steps of `edges` in an order that runs every parent before its children"
    waiting = {name: 0 for name in edges}  # how many parents each step still waits for
    for children in edges.values():
        for child in children:
            waiting[child] += 1
    ready = [name for name in edges if waiting[name] == 0]
    order = []
    while ready:
        name = ready.pop(0)
        order.append(name)
        for child in edges[name]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    if len(order) < len(edges):
        stuck = sorted(name for name in edges if waiting[name] > 0)
        raise ValueError(f'the graph has a cycle: {", ".join(stuck)} never stop waiting')
    return order
