"""vcdhub: the Violent Crime Directorate's hub for crime data, performance, places, people and tasking."""

__version__ = "0.1.0"
