"""The Dashboard page: KPIs, charts drawn with QPainter, export; and the insight wiring."""
