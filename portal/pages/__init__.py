"""Home page and the public pages every council service must have."""
