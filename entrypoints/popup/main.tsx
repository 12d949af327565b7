import { render } from 'preact';
render(<p>tapguard</p>, document.getElementById('app')!);
