"""export_text: scikit-learn's text rendering of a fitted tree (same format)."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ._tree import TREE_UNDEFINED


def _subtree_depth(tree, node):
    """Number of levels below and including `node` (a leaf counts 1)."""
    depth, stack = 0, [(node, 1)]
    while stack:
        k, d = stack.pop()
        depth = max(depth, d)
        if tree.children_left[k] != -1:
            stack += [(tree.children_left[k], d + 1), (tree.children_right[k], d + 1)]
    return depth


def export_text(decision_tree, *, feature_names=None, class_names=None, max_depth=10,
                spacing=3, decimals=2, show_weights=False):
    """The rules of a fitted decision tree as text, in scikit-learn's format:

        |--- feature_1 <= 0.50
        |   |--- class: 0
        |--- feature_1 >  0.50
        |   |--- class: 1

    feature_names: names of the features (default ``feature_<i>``); class_names:
    names of the classes (default ``classes_``); max_depth: deeper branches are
    shown as ``truncated branch of depth d``; spacing: width of an indent;
    decimals: digits of thresholds and values; show_weights: the weighted class
    counts of each leaf (classifiers).
    """
    if feature_names is not None:
        feature_names = check_array(feature_names, ensure_2d=False, dtype=None,
                                    ensure_min_samples=0)
    if class_names is not None:
        class_names = check_array(class_names, ensure_2d=False, dtype=None,
                                  ensure_min_samples=0)
    check_is_fitted(decision_tree)
    tree = decision_tree.tree_
    classifier = is_classifier(decision_tree)
    if classifier:
        if class_names is None:
            class_names = decision_tree.classes_
        elif len(class_names) != len(decision_tree.classes_):
            raise ValueError(
                "When `class_names` is an array, it should contain as many items as "
                f"`decision_tree.classes_`. Got {len(class_names)} while the tree was "
                f"fitted with {len(decision_tree.classes_)} classes.")
    if feature_names is not None and len(feature_names) != tree.n_features:
        raise ValueError("feature_names must contain %d elements, got %d"
                         % (tree.n_features, len(feature_names)))
    if feature_names is not None:
        names = [feature_names[f] if f != TREE_UNDEFINED else None for f in tree.feature]
    else:
        names = [f"feature_{f}" for f in tree.feature]

    lines = []

    def leaf(value, weight, class_name, indent):
        if classifier:
            text = ""
            if show_weights:
                text = "[" + ", ".join(f"{v * weight:.{decimals}f}" for v in value) + "]"
            text += " class: " + str(class_name)
            lines.append(f"{indent}{' weights: ' if show_weights else ''}{text}\n"
                         if show_weights else f"{indent}{text}\n")
        else:
            text = "[" + ", ".join(f"{v:.{decimals}f}" for v in value) + "]"
            lines.append(f"{indent} value: {text}\n")

    def visit(node, depth):
        indent = ("|" + " " * spacing) * depth
        indent = indent[:-spacing] + "-" * spacing
        value = tree.value[node][0] if tree.n_outputs == 1 else tree.value[node].T[0]
        class_name = np.argmax(value)
        if tree.n_classes[0] != 1 and tree.n_outputs == 1:
            class_name = class_names[class_name]
        weight = tree.weighted_n_node_samples[node]
        if depth <= max_depth + 1:
            if tree.feature[node] != TREE_UNDEFINED:
                threshold = f"{tree.threshold[node]:.{decimals}f}"
                lines.append(f"{indent} {names[node]} <= {threshold}\n")
                visit(tree.children_left[node], depth + 1)
                lines.append(f"{indent} {names[node]} >  {threshold}\n")
                visit(tree.children_right[node], depth + 1)
            else:
                leaf(value, weight, class_name, indent)
        else:
            sub = _subtree_depth(tree, node)
            if sub == 1:
                leaf(value, weight, class_name, indent)
            else:
                lines.append(f"{indent} truncated branch of depth {sub}\n")

    visit(0, 1)
    return "".join(lines)
