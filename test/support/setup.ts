// Ink writes only the last frame when CI is set; tests want every frame.
delete process.env['CI'];
process.env['NO_COLOR'] = '1';
