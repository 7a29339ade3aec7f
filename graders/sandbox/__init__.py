"""The grader side of the sandbox: the warm worker (bubblewrap + zygote) and its layout."""
