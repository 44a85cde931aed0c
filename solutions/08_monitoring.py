# exercise monitoring.1
from regression_course.monitoring import drift_report

def is_drifted(reference, live) -> bool:
    "True when live x drifted from the training x: significant and large (no verdict, no alarm)"
    return bool(drift_report(reference, live).drifted)

# exercise monitoring.2
import pandas as pd

def outside_by_day(log:pd.DataFrame, x_min:float, x_max:float) -> pd.Series:
    "Share of each day's x values outside [x_min, x_max], for the days in the log"
    outside = (log['x'] < x_min) | (log['x'] > x_max)
    return outside.groupby(log['time'].dt.floor('D')).mean()
