/** Debian's nginx (nginx-light or nginx), for the sample ingress test; CI installs it. */
import fs from 'node:fs';

export const NGINX = '/usr/sbin/nginx';

export const nginxInstalled = () => fs.existsSync(NGINX);
