"""Arrivals: the appointment a student books at the desk, the slip they receive (with its QR
code, scanned back at the desk), and the PDF and the printer it goes to."""
