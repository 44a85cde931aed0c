__version__ = "0.1.0"

# Metaflow's code package carries this whole package to a remote task, whichever module of it a flow lives in
# (nbs/91b_remote_store.ipynb explains why, and the other ways that fall short).
METAFLOW_PACKAGE_POLICY = "include"
