# exercise practice.2
import numpy as np

def clearly_better(challenger, champion) -> bool:
    "True if the challenger's squared errors are lower than the champion's beyond chance"
    d = np.asarray(challenger, dtype=float) - np.asarray(champion, dtype=float)  # row by row
    standard_error = d.std(ddof=1) / np.sqrt(len(d))
    return bool(d.mean() < 0 and -d.mean() > 2 * standard_error)
