"""Helper library of the two_layer_net assignment (read-only for students).

- ``twolayer.config``: the course settings (dataset, points, thresholds) from ``assignment.toml``
- ``twolayer.data``: the digits and CIFAR-10 datasets
- ``twolayer.gradient_check``: numerical gradients and ``rel_error``
- ``twolayer.solver``: the ``Solver`` that trains a model with minibatch SGD (update rules in
  ``twolayer.optim``, its checks of the model in ``twolayer.solver_checks``)
- ``twolayer.tuning``: the record of a hyperparameter search
- ``twolayer.plots``: training curves, first-layer weights, the tuning heatmap
- ``twolayer.cpus``: the CPUs this process can use, and numpy's BLAS threads for them
- ``twolayer.submit``: the zip to upload to Gradescope
- ``twolayer.checks``: ``self_check``, what the notebook's check cells call, and the checks behind
  it (the grader runs the same ones, and more on inputs you do not see)
"""
