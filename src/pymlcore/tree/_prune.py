"""Minimal cost-complexity pruning (scikit-learn's weakest-link pruning): the
post-processing of a grown tree's arrays, vectorised over the nodes."""

import numpy as np

from ._tree import TREE_LEAF, TREE_UNDEFINED, Tree


def _weakest_links(tree, ccp_alpha):
    """Prunes the weakest link (the inner node of least effective alpha, the
    first on ties) while its alpha is <= ccp_alpha.  Returns (kept-leaf mask,
    kept-node mask, path alphas, path total leaf impurities)."""
    left, right = np.asarray(tree.children_left), np.asarray(tree.children_right)
    n = len(left)
    w = np.asarray(tree.weighted_n_node_samples, dtype=np.float64)
    r_node = w * np.asarray(tree.impurity, dtype=np.float64) / w[0]
    parent = np.full(n, TREE_UNDEFINED, dtype=np.int64)
    inner = np.flatnonzero(left != TREE_LEAF)
    parent[left[inner]] = inner
    parent[right[inner]] = inner
    is_leaf = left == TREE_LEAF
    # leaves and impurity below every node: children come after their node, so
    # one pass from the last node up accumulates them
    n_leaves = np.zeros(n, dtype=np.int64)
    r_branch = np.where(is_leaf, r_node, 0.0)
    for k in range(n - 1, 0, -1):
        p = parent[k]
        n_leaves[p] += 1 if is_leaf[k] else n_leaves[k]
        r_branch[p] += r_branch[k] if not is_leaf[k] else r_node[k]
    # scikit-learn adds each leaf's r along its path (leaf order); r_branch of
    # an inner node is the same sum
    leaves = is_leaf.copy()
    in_subtree = np.ones(n, dtype=bool)
    candidate = ~is_leaf
    alphas, impurities = [0.0], [r_branch[0]]
    while candidate[0]:
        idx = np.flatnonzero(candidate)
        alpha = (r_node[idx] - r_branch[idx]) / (n_leaves[idx] - 1)
        j = int(np.argmin(alpha))
        effective, node = float(alpha[j]), int(idx[j])
        if ccp_alpha < effective:
            break
        # drop the branch below `node`
        stack = [node]
        while stack:
            k = stack.pop()
            if not in_subtree[k]:
                continue
            candidate[k] = leaves[k] = in_subtree[k] = False
            if left[k] != TREE_LEAF:
                stack += [left[k], right[k]]
        leaves[node] = in_subtree[node] = True
        pruned = n_leaves[node] - 1
        n_leaves[node] = 0
        diff = r_node[node] - r_branch[node]
        r_branch[node] = r_node[node]
        k = parent[node]
        while k != TREE_UNDEFINED:
            n_leaves[k] -= pruned
            r_branch[k] += diff
            k = parent[k]
        alphas.append(effective)
        impurities.append(r_branch[0])
    return leaves, in_subtree, np.array(alphas), np.array(impurities)


def pruning_path(tree):
    _, _, alphas, impurities = _weakest_links(tree, np.inf)
    return alphas, impurities


def prune_tree(tree, ccp_alpha):
    """The subtree kept by ccp_alpha, renumbered in pre-order (left first)."""
    leaves, keep, _, _ = _weakest_links(tree, ccp_alpha)
    if keep.all():
        return tree
    left, right = np.asarray(tree.children_left), np.asarray(tree.children_right)
    order, stack = [], [0]
    while stack:
        k = stack.pop()
        order.append(k)
        if not leaves[k]:
            stack += [right[k], left[k]]
    order = np.array(order, dtype=np.int64)
    new_id = np.full(len(left), -1, dtype=np.int64)
    new_id[order] = np.arange(len(order))
    leaf = leaves[order]
    arrays = {
        "children_left": np.where(leaf, TREE_LEAF, new_id[left[order]]),
        "children_right": np.where(leaf, TREE_LEAF, new_id[right[order]]),
        "feature": np.where(leaf, TREE_UNDEFINED, np.asarray(tree.feature)[order]),
        "threshold": np.where(leaf, float(TREE_UNDEFINED), np.asarray(tree.threshold)[order]),
        "missing_go_to_left": np.where(leaf, 0, np.asarray(tree.missing_go_to_left)[order]),
        "impurity": np.asarray(tree.impurity)[order],
        "n_node_samples": np.asarray(tree.n_node_samples)[order],
        "weighted_n_node_samples": np.asarray(tree.weighted_n_node_samples)[order],
        "value": np.asarray(tree.value)[order],
    }
    return Tree(tree.n_features, tree.n_classes, tree.n_outputs, arrays)
