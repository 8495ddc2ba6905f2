"""From the source notebook to what students and the demo receive: the release
(``release``, ``template``, checked by ``leaks``), the exported library
(``export``) and the bundled example submissions (``fill``, ``examples``)."""
